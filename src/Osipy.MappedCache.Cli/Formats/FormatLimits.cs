namespace Osipy.MappedCache.Cli.Formats;

/// <summary>The bounds the readers put on untrusted files and on their own memory.</summary>
internal static class FormatLimits
{
    /// <summary>
    /// The most array bytes a reader or writer holds in its own buffer at once (a reader with NIfTI
    /// scaling holds up to this much again for the stored bytes), whatever the size of the array.
    /// </summary>
    public const int BlockBytes = 32 * 1024 * 1024;

    /// <summary>The largest NPY header accepted; NumPy's own headers are a few hundred bytes.</summary>
    public const int MaxNpyHeaderBytes = 1024 * 1024;

    /// <summary>NumPy 1.x's NPY_MAXDIMS; more axes than this in a header mean a corrupt file.</summary>
    public const int MaxNpyDimensions = 32;
}
