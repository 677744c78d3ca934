namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    private static readonly Lock s_globalGate = new();
    private static IntermediateCache? s_global;
    private static bool s_exitHookInstalled;

    /// <summary>The process-wide cache (osipy's <c>get_cache()</c>), created with default settings on first use.</summary>
    /// <remarks>Its session ends, and its CACHED segments are unlinked, when the process exits normally.</remarks>
    public static IntermediateCache GetCache()
    {
        lock (s_globalGate)
        {
            if (s_global is null || s_global.IsDisposed)
            {
                s_global = new IntermediateCache();
                InstallExitHook();
            }

            return s_global;
        }
    }

    /// <summary>Replaces the process-wide cache with one built from <paramref name="config"/> (osipy's <c>configure_cache()</c>).</summary>
    /// <remarks>The previous instance is disposed; leases taken from it stay valid.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is null.</exception>
    /// <inheritdoc cref="IntermediateCache(CacheConfig?)" path="/exception"/>
    public static void ConfigureCache(CacheConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var replacement = new IntermediateCache(config);
        IntermediateCache? previous;
        lock (s_globalGate)
        {
            previous = s_global;
            s_global = replacement;
            InstallExitHook();
        }

        previous?.Dispose();
    }

    private static void InstallExitHook()
    {
        if (!s_exitHookInstalled)
        {
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                lock (s_globalGate)
                {
                    s_global?.Dispose();
                }
            };
            s_exitHookInstalled = true;
        }
    }
}
