namespace Osipy.MappedCache.Cli.Commands;

/// <summary>Process exit codes, following the shell's convention that 2 means a usage error.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed (an I/O error, a check that did not hold).</summary>
    public const int Failure = 1;

    /// <summary>The command line was not understood; nothing was done.</summary>
    public const int Usage = 2;
}
