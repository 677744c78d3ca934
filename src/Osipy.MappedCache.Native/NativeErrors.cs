using System.Text.Json;

namespace Osipy.MappedCache.Native;

/// <summary>Maps exceptions to status codes and keeps the calling thread's last error message.</summary>
internal static class NativeErrors
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
    public static int From(Exception exception)
    {
        t_lastError = exception.Message;
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
