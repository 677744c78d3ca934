namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Reads from a file or decompression stream, turning a short read or a corrupt gzip stream into an
/// <see cref="InvalidDataException"/> that names the file.
/// </summary>
internal static class StreamReads
{
    private const int SkipBufferBytes = 64 * 1024;

    /// <summary>Fills <paramref name="buffer"/>, or throws saying what was cut short.</summary>
    /// <param name="what">What is being read, for the message (e.g. "the header").</param>
    /// <exception cref="InvalidDataException">The stream ends first, or it is corrupt gzip.</exception>
    public static void Exactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        int read = AtMost(stream, buffer, path);
        if (read < buffer.Length)
        {
            throw InvalidFile.Exception(path, $"the file is truncated: it ends {buffer.Length - read} byte(s) short of {what}");
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the count read.</summary>
    /// <exception cref="InvalidDataException">The stream is corrupt gzip.</exception>
    public static int AtMost(Stream stream, Span<byte> buffer, string path)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            // Only GZipStream throws this here (a bad deflate block or checksum); say which file.
            throw InvalidFile.Exception(path, $"the gzip stream is corrupt ({ex.Message})", ex);
        }
    }

    /// <summary>Reads and discards <paramref name="count"/> bytes (a stream that cannot seek, such as gzip).</summary>
    /// <exception cref="InvalidDataException">The stream ends first, or it is corrupt gzip.</exception>
    public static void Skip(Stream stream, long count, string path, string what)
    {
        if (count == 0)
        {
            return;
        }

        byte[] scratch = new byte[(int)Math.Min(count, SkipBufferBytes)];
        for (long left = count; left > 0;)
        {
            int chunk = (int)Math.Min(left, scratch.Length);
            Exactly(stream, scratch.AsSpan(0, chunk), path, what);
            left -= chunk;
        }
    }

    /// <summary>Reads and discards up to <paramref name="limit"/> bytes; returns how many there were (fewer when the stream ends first).</summary>
    /// <exception cref="InvalidDataException">The stream is corrupt gzip.</exception>
    public static long Count(Stream stream, long limit, string path)
    {
        byte[] scratch = new byte[SkipBufferBytes];
        long count = 0;
        while (count < limit)
        {
            int read = AtMost(stream, scratch.AsSpan(0, (int)Math.Min(scratch.Length, limit - count)), path);
            count += read;
            if (read == 0)
            {
                break;
            }
        }

        return count;
    }

    /// <summary>
    /// Reads a gzip stream to its end, so that its CRC and length trailer are checked even when the
    /// array ended before the stream (trailing bytes are allowed, corruption is not).
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is corrupt gzip.</exception>
    public static void Drain(Stream stream, string path)
    {
        byte[] scratch = new byte[SkipBufferBytes];
        while (AtMost(stream, scratch, path) == scratch.Length)
        {
        }
    }
}
