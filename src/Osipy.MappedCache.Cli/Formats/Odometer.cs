namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// Counts through a multi-dimensional index, fastest digit first, and keeps two weighted sums of the
/// digits up to date (the element's offset in the file's order and in the array's), with one addition
/// per step instead of a division per axis.
/// </summary>
/// <remarks>Not thread-safe; one per walk. With no axes there is one position, and both sums are 0.</remarks>
internal sealed class Odometer
{
    private readonly long[] _sizes;
    private readonly long[] _inputStrides;
    private readonly long[] _outputStrides;
    private readonly long[] _digits;

    /// <param name="sizes">The axis lengths, fastest first.</param>
    /// <param name="inputStrides">The weight of each digit in <see cref="Input"/>, in the same order.</param>
    /// <param name="outputStrides">The weight of each digit in <see cref="Output"/>, in the same order.</param>
    /// <param name="start">The position to start at, counted in this odometer's own order.</param>
    public Odometer(long[] sizes, long[] inputStrides, long[] outputStrides, long start = 0)
    {
        _sizes = sizes;
        _inputStrides = inputStrides;
        _outputStrides = outputStrides;
        _digits = new long[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            _digits[i] = start % sizes[i];
            start /= sizes[i];
            Input += _digits[i] * inputStrides[i];
            Output += _digits[i] * outputStrides[i];
        }
    }

    /// <summary>The current digits weighted by the input strides.</summary>
    public long Input { get; private set; }

    /// <summary>The current digits weighted by the output strides.</summary>
    public long Output { get; private set; }

    /// <summary>Steps to the next position; past the last one the sums are meaningless.</summary>
    public void Next()
    {
        if (_sizes.Length == 0)
        {
            return;
        }

        int axis = 0;
        Step(axis, 1);
        while (_digits[axis] == _sizes[axis] && axis + 1 < _sizes.Length)
        {
            Step(axis, -_sizes[axis]);
            axis++;
            Step(axis, 1);
        }
    }

    private void Step(int axis, long by)
    {
        _digits[axis] += by;
        Input += by * _inputStrides[axis];
        Output += by * _outputStrides[axis];
    }
}
