using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;

namespace Osipy.MappedCache.Mapping;

/// <summary>
/// Private, copy-on-write memory for callers that write to what they were given: a writer's
/// memory kept past its commit (an array a fill function kept), and a second private mapping for
/// a writable get.
/// </summary>
internal sealed partial class SegmentMapping
{
    private int _kept;
    private bool _sharedLetGo;

    /// <summary>
    /// Keeps this writer's mapping mapped past the writer, until the returned reference is
    /// disposed. When the writer lets go (<see cref="LetGoOfShared"/>), the range becomes a private
    /// copy-on-write mapping of what was written, so a pointer kept past the commit reads the
    /// published bytes, and writes through it reach neither the file nor any reader.
    /// </summary>
    /// <exception cref="InvalidOperationException">The writer has already committed or abandoned.</exception>
    public IDisposable Keep()
    {
        lock (_holdsGate)
        {
            if (_sharedLetGo)
            {
                throw new InvalidOperationException("The writer has already committed or abandoned this memory.");
            }

            bool added = false;
            DangerousAddRef(ref added);
            _kept++;
        }

        return new KeptReference(this);
    }

    /// <summary>
    /// Called by a writer before its shared, writable mapping goes (commit or abandon). With memory
    /// kept, the same range is mapped again over <paramref name="file"/>, privately: MAP_FIXED
    /// replaces the shared pages in one step, so from here on no write through the range can
    /// reach the file, and the range stays valid for the keepers. Without, nothing happens.
    /// </summary>
    /// <exception cref="IOException">The private mapping failed; the caller must not publish.</exception>
    public void LetGoOfShared(SafeFileHandle file)
    {
        lock (_holdsGate)
        {
            if (_sharedLetGo)
            {
                return;
            }

            _sharedLetGo = true;
            if (_kept == 0)
            {
                return;
            }

            bool added = false;
            try
            {
                file.DangerousAddRef(ref added);
                nint address = Libc.Mmap(handle, (nuint)Length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_FIXED, (int)file.DangerousGetHandle(), 0);
                if (address != handle)
                {
                    throw Libc.IOExceptionFor(Marshal.GetLastPInvokeError(), "mmap (private copy of a kept writer's memory)", _path);
                }
            }
            finally
            {
                if (added)
                {
                    file.DangerousRelease();
                }
            }
        }
    }

    /// <summary>
    /// A new mapping of the same file, private and copy-on-write, with a reference count of its
    /// own: writes through it change no other mapping (no lease of this session sees them) and
    /// copy only the pages written. Null if the path no longer names this file (invalidated or
    /// replaced since it was mapped).
    /// </summary>
    /// <exception cref="IOException">mmap failed.</exception>
    public SegmentMapping? TryMapPrivateTwin()
    {
        using SafeFileHandle? file = TryOpenSameFile();
        return file is null ? null : Map(file, Length, Libc.MAP_PRIVATE, _path, isSegment: true);
    }

    private sealed class KeptReference(SegmentMapping mapping) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                mapping.DangerousRelease();
            }
        }
    }
}
