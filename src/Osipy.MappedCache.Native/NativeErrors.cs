using System.Text.Json;

namespace Osipy.MappedCache.Native;

/// <summary>Maps exceptions to status codes and keeps the calling thread's last error message.</summary>
internal static partial class NativeErrors
{
    [ThreadStatic]
    private static string? t_lastError;

    public static string LastError => t_lastError ?? string.Empty;

    public static int Ok()
    {
        t_lastError = null;
        return (int)NativeStatus.Ok;
    }

    public static int Miss(string message)
    {
        t_lastError = message;
        return (int)NativeStatus.Miss;
    }

    /// <summary>The status for <paramref name="exception"/>; its message becomes the thread's last error.</summary>
    /// <summary>
    /// The message as a C or Python caller should read it: without .NET's " (Parameter 'x')"
    /// suffix and without the .NET type behind an element type ("float32 (System.Single)" is
    /// "float32").
    /// </summary>
    internal static string InCallersWords(Exception exception)
    {
        string message = exception.Message;
        if (exception is ArgumentException { ParamName: { } parameter })
        {
            message = message.Replace($" (Parameter '{parameter}')", string.Empty, StringComparison.Ordinal);
        }

        return DotNetTypeName().Replace(message, string.Empty);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" \(System\.[A-Za-z0-9_.]+\)")]
    private static partial System.Text.RegularExpressions.Regex DotNetTypeName();

    public static int From(Exception exception)
    {
        t_lastError = InCallersWords(exception);
        NativeStatus status = exception switch
        {
            WrongProcessException => NativeStatus.WrongProcess,
            FillFailedException => NativeStatus.FillFailed,
            BadHandleException or ObjectDisposedException => NativeStatus.BadHandle,
            ArgumentException or JsonException or FormatException or OverflowException => NativeStatus.InvalidArgument,
            InvalidOperationException or InvalidCastException => NativeStatus.TypeMismatch,
            UnauthorizedAccessException => NativeStatus.AccessDenied,
            NotSupportedException => NativeStatus.NotSupported,
            IOException => NativeStatus.IoError,
            _ => NativeStatus.Unexpected,
        };
        return (int)status;
    }
}
