using StackExchange.Redis;

namespace Osipy.MappedCache.Redis;

/// <summary>Turns <see cref="RedisRemoteTierOptions"/> into StackExchange.Redis's connection options: timeouts, credentials, TLS.</summary>
internal static class RedisConnection
{
    public static ConfigurationOptions Configure(RedisRemoteTierOptions options, string clientName)
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(options.Configuration);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            // The parser's message may quote the string, password included: say only what went wrong.
            throw new ArgumentException($"Configuration is not a StackExchange.Redis configuration string ({ex.GetType().Name}).", nameof(options));
        }

        int timeout = (int)Math.Min(int.MaxValue, options.OperationTimeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false; // an unreachable cluster is a failed call later, never a failed construction
        configuration.ConnectTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.ConnectRetry = 1;
        configuration.ClientName = clientName;
        if (options.Password is not null)
        {
            configuration.Password = options.Password;
        }

        if (options.User is not null)
        {
            configuration.User = options.User;
        }

        if (options.Tls || options.TlsCaFile is not null || options.TlsClientCertificateFile is not null)
        {
            configuration.Ssl = true;
            configuration.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        }

        if (options.TlsHost is not null)
        {
            configuration.SslHost = options.TlsHost;
        }

        if (options.TlsCaFile is not null)
        {
            configuration.TrustIssuer(options.TlsCaFile);
        }

        if (options.TlsClientCertificateFile is not null)
        {
            configuration.SetUserPemCertificate(options.TlsClientCertificateFile, options.TlsClientKeyFile);
        }

        return configuration;
    }
}
