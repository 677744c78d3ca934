using System.Runtime.InteropServices;

namespace Osipy.MappedCache.Interop;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    internal const int S_IFMT = 0xF000;
    internal const int S_IFREG = 0x8000;
    internal const int S_IFDIR = 0x4000;
    internal const int S_IFLNK = 0xA000;

    /// <summary>
    /// <c>struct statx</c> up to the device numbers. Unlike <c>struct stat</c> its layout is the
    /// same on every Linux architecture, which is why statx is used instead of stat/lstat/fstat.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(48)] public ulong Blocks; // 512-byte blocks allocated: a preallocated file's reserved space counts
        [FieldOffset(96)] public long ChangeTimeSeconds;
        [FieldOffset(104)] public uint ChangeTimeNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;

        public readonly int FileType => Mode & S_IFMT;
    }

    [LibraryImport(LibraryName, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Statx(int dirFd, string path, int flags, uint mask, out StatxBuffer buffer);
}
