using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Portal.Tsdb.Blocks;

/// <summary>
/// A read-only memory-mapped file exposed as <see cref="Memory"/>. The memory is valid until
/// <see cref="Dispose"/>; callers must keep the owner alive while they read. Thread-safe for reads.
/// </summary>
internal sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedFile? _mmf;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _ptr;
    private readonly int _length;

    public MappedFile(string path)
    {
        long len = new FileInfo(path).Length;
        if (len > int.MaxValue) throw new NotSupportedException($"{path} is larger than 2 GiB");
        _length = (int)len;
        if (len == 0) return;
        _mmf = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _mmf.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _ptr);
        _ptr += _view.PointerOffset;
    }

    public int Length => _length;

    public override Span<byte> GetSpan() => _length == 0 ? Span<byte>.Empty : new Span<byte>(_ptr, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_ptr + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing)
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _mmf?.Dispose();
        _ptr = null;
    }

    public void Close() => ((IDisposable)this).Dispose();
}
