using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Creates a file through a temporary sibling that is renamed over the target only once it is
/// complete, so a failed export leaves neither a partial file nor a clobbered old one.
/// </summary>
/// <remarks>
/// The temporary file is this class's business, not the caller's: an error of the file itself
/// (creating, writing, flushing or renaming it: a read-only directory, a full disk, a file-size
/// limit) is an <see cref="IOException"/> that names the target, the file the user asked for, with
/// the operating system's reason. Errors of the caller's own (reading its source) pass unchanged.
/// </remarks>
internal static class AtomicFile
{
    // Linux's errno for a write past the file-size limit (RLIMIT_FSIZE), which .NET reports as an
    // ArgumentOutOfRangeException ("Specified file length was too large") without the errno.
    private const int FileTooLarge = 27;

    /// <summary>Runs <paramref name="write"/> on a new temporary file, then moves it to <paramref name="path"/>.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="overwrite">Whether an existing file at <paramref name="path"/> is replaced; when false, one that appears meanwhile is kept.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <exception cref="IOException">
    /// The file cannot be created, written or moved, or it exists and <paramref name="overwrite"/> is
    /// false; the message names <paramref name="path"/> and the reason. Nothing is left behind.
    /// </exception>
    public static void Write(string path, bool overwrite, Action<Stream> write)
    {
        string target = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new TargetErrors(Guarded(target, () => new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16)), target))
            {
                write(stream);
            }

            Guarded(target, () =>
            {
                File.Move(temporary, target, overwrite);
                return true;
            });
        }
        catch
        {
            // The one place that cleans up a failed creation; the original exception is what matters.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }

            throw;
        }
    }

    private static T Guarded<T>(string target, Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception ex) when (IsFileError(ex))
        {
            throw Named(target, ex);
        }
    }

    private static bool IsFileError(Exception ex) => ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException;

    /// <summary>
    /// The error against <paramref name="target"/>, in the operating system's words: errno's message,
    /// which .NET keeps as the HResult of the IOException it throws (or of the one inside an
    /// UnauthorizedAccessException); else the exception's own message, without the temporary name.
    /// </summary>
    private static IOException Named(string target, Exception ex)
    {
        string reason = ex is ArgumentOutOfRangeException ? Marshal.GetPInvokeErrorMessage(FileTooLarge) : ex.Message;
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e.GetType() == typeof(IOException) && e.HResult is > 0 and < 4096)
            {
                reason = Marshal.GetPInvokeErrorMessage(e.HResult);
                break;
            }
        }

        if (reason.Contains(".tmp", StringComparison.Ordinal))
        {
            // A message that names the temporary file (a missing directory on the way) says only what happened.
            reason = ex is DirectoryNotFoundException ? "a directory on its path does not exist, or is not a directory" : ex.GetType().Name;
        }

        return new IOException($"cannot write {target}: {reason.TrimEnd('.')}.", ex);
    }

    /// <summary>The temporary file as the caller's <c>write</c> sees it: every error of the file is named against the target.</summary>
    private sealed class TargetErrors(FileStream file, string target) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            try
            {
                file.Write(buffer);
            }
            catch (Exception ex) when (IsFileError(ex))
            {
                throw Named(target, ex);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush() => Guarded(target, () =>
        {
            file.Flush();
            return true;
        });

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Closing flushes the last buffered bytes: a write error can surface here.
                Guarded(target, () =>
                {
                    file.Dispose();
                    return true;
                });
            }

            base.Dispose(disposing);
        }
    }
}
