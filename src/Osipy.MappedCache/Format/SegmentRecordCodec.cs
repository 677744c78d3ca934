using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace Osipy.MappedCache.Format;

/// <summary>
/// Encodes and decodes the record block (docs/FORMAT.md, "Record"). Decoding trusts nothing:
/// every length is checked against the bytes present and against <see cref="SegmentLimits"/>.
/// </summary>
internal static class SegmentRecordCodec
{
    public const int TrailerLength = 24;

    private const int FixedLength = 32;

    private const int MinimumLength = FixedLength + (4 * sizeof(uint)) + TrailerLength;

    /// <summary>DateTimeOffset.MinValue and MaxValue in Unix milliseconds: the range FromUnixTimeMilliseconds accepts.</summary>
    private const long MinUnixMilliseconds = -62_135_596_800_000;
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ReadOnlySpan<byte> RecordMagic => "OSIPYREC"u8;

    public static ReadOnlySpan<byte> TrailerMagic => "OSIPYEND"u8;

    public static byte[] Encode(SegmentRecord record)
    {
        var body = new LittleEndianBuffer();
        body.Write(RecordMagic);
        body.WriteUInt16(SegmentRecord.CurrentVersion);
        body.WriteByte((byte)record.Kind);
        body.WriteByte((byte)record.Policy);
        body.WriteUInt32((uint)record.Arrays.Count);
        body.WriteInt64(record.CreatedUnixMilliseconds);
        body.WriteUInt64(record.HeaderChecksum);
        body.WriteString(record.SessionId);
        body.WriteString(record.ResultType);
        body.WriteString(record.Key);
        body.WriteString(record.MetadataJson);
        foreach (ArrayRecord array in record.Arrays)
        {
            body.WriteString(array.Name);
            body.WriteByte((byte)array.DType);
            body.WriteByte((byte)array.Shape.Length);
            body.WriteUInt16(0);
            body.WriteInt64(array.PayloadOffset);
            body.WriteInt64(array.PayloadLength);
            body.WriteUInt64(array.PayloadChecksum);
            foreach (long dim in array.Shape)
            {
                body.WriteInt64(dim);
            }
        }

        int length = body.Length + TrailerLength;
        body.WriteUInt32((uint)length);
        body.WriteUInt16(SegmentRecord.CurrentVersion);
        body.WriteUInt16(0);
        ulong checksum = XxHash3.HashToUInt64(body.WrittenSpan);
        body.WriteUInt64(checksum);
        body.Write(TrailerMagic);
        return body.ToArray();
    }

    /// <summary>Reads the record length from the trailer (the last 24 bytes of the file).</summary>
    public static int ReadLengthFromTrailer(ReadOnlySpan<byte> trailer)
    {
        if (trailer.Length != TrailerLength || !trailer[16..].SequenceEqual(TrailerMagic))
        {
            throw new SegmentFormatException("missing record trailer (truncated or not a segment)");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(trailer[4..]);
        if (version != SegmentRecord.CurrentVersion)
        {
            throw new SegmentFormatException(
                $"record format version {version} is not supported (this library reads {SegmentRecord.CurrentVersion})", fromNewerVersion: version > SegmentRecord.CurrentVersion);
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (length is < MinimumLength or > SegmentLimits.MaxRecordBytes)
        {
            throw new SegmentFormatException($"record length {length} out of range");
        }

        return (int)length;
    }

    public static SegmentRecord Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < MinimumLength)
        {
            throw new SegmentFormatException("record too short");
        }

        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes[^16..]);
        if (XxHash3.HashToUInt64(bytes[..^16]) != stored)
        {
            throw new SegmentFormatException("record checksum mismatch");
        }

        var reader = new BoundedReader(bytes[..^TrailerLength]);
        if (!reader.ReadBytes(RecordMagic.Length).SequenceEqual(RecordMagic))
        {
            throw new SegmentFormatException("bad record magic");
        }

        if (reader.ReadUInt16() != SegmentRecord.CurrentVersion)
        {
            throw new SegmentFormatException("record version differs from trailer version");
        }

        var kind = (SegmentKind)reader.ReadByte();
        var policy = (RetentionPolicy)reader.ReadByte();
        uint arrayCount = reader.ReadUInt32();
        long created = reader.ReadInt64();
        ulong headerChecksum = reader.ReadUInt64();
        if (kind is not (SegmentKind.SingleArray or SegmentKind.Bundle or SegmentKind.Compressed)
            || policy is not (RetentionPolicy.Cached or RetentionPolicy.Persistent)
            || arrayCount > SegmentLimits.MaxArrays
            || (kind != SegmentKind.Bundle && arrayCount != 1))
        {
            throw new SegmentFormatException("record fields out of range");
        }

        string session = reader.ReadString(SegmentLimits.MaxKeyBytes);
        string resultType = reader.ReadString(SegmentLimits.MaxKeyBytes);
        string key = reader.ReadString(SegmentLimits.MaxKeyBytes);
        string metadata = reader.ReadString(SegmentLimits.MaxMetadataBytes, out ReadOnlySpan<byte> metadataUtf8);
        var arrays = new ArrayRecord[arrayCount];
        for (int i = 0; i < arrays.Length; i++)
        {
            string name = reader.ReadString(SegmentLimits.MaxArrayNameBytes);
            var dtype = (DType)reader.ReadByte();
            int ndim = reader.ReadByte();
            reader.ReadUInt16();
            long offset = reader.ReadInt64();
            long length = reader.ReadInt64();
            ulong checksum = reader.ReadUInt64();
            if (!DTypes.IsDefined(dtype) || ndim > SegmentLimits.MaxDimensions)
            {
                throw new SegmentFormatException($"array {i}: unknown dtype code or too many dimensions");
            }

            var shape = new long[ndim];
            for (int d = 0; d < ndim; d++)
            {
                shape[d] = reader.ReadInt64();
                if (shape[d] is < 0 or > int.MaxValue)
                {
                    throw new SegmentFormatException($"array {i}: dimension {shape[d]} out of range");
                }
            }

            arrays[i] = new ArrayRecord(name, dtype, shape, offset, length, checksum);
        }

        if (!reader.AtEnd)
        {
            throw new SegmentFormatException("unexpected bytes at the end of the record");
        }

        if (created is < MinUnixMilliseconds or > MaxUnixMilliseconds)
        {
            throw new SegmentFormatException("creation time out of range");
        }

        try
        {
            MetadataJson.Validate(metadataUtf8);
        }
        catch (JsonException ex)
        {
            throw new SegmentFormatException("metadata is not a JSON object: " + ex.Message);
        }

        return new SegmentRecord
        {
            Kind = kind,
            Policy = policy,
            Key = key,
            ResultType = resultType,
            SessionId = session,
            MetadataJson = metadata,
            CreatedUnixMilliseconds = created,
            HeaderChecksum = headerChecksum,
            Arrays = arrays,
        };
    }

    /// <summary>A cursor over untrusted bytes: every read checks what remains.</summary>
    private ref struct BoundedReader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly bool AtEnd => _rest.IsEmpty;

        public ReadOnlySpan<byte> ReadBytes(int count)
        {
            if ((uint)count > (uint)_rest.Length)
            {
                throw new SegmentFormatException("record field runs past the record");
            }

            ReadOnlySpan<byte> value = _rest[..count];
            _rest = _rest[count..];
            return value;
        }

        public byte ReadByte() => ReadBytes(1)[0];

        public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2));

        public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

        public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

        public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

        public string ReadString(int maxBytes) => ReadString(maxBytes, out _);

        /// <summary>A length-prefixed UTF-8 string, and its bytes (which stay valid as long as the record's).</summary>
        public string ReadString(int maxBytes, out ReadOnlySpan<byte> utf8)
        {
            uint length = ReadUInt32();
            if (length > (uint)maxBytes)
            {
                throw new SegmentFormatException($"string of {length} bytes exceeds the limit of {maxBytes}");
            }

            utf8 = ReadBytes((int)length);
            try
            {
                return s_strictUtf8.GetString(utf8);
            }
            catch (DecoderFallbackException)
            {
                throw new SegmentFormatException("string is not valid UTF-8");
            }
        }
    }
}
