namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>A 3-master Redis Cluster that requires a password (requirepass and masterauth).</summary>
public sealed class PasswordRedisClusterFixture : RedisClusterFixture
{
    public const string Password = "osipy-test-password-7f3e";

    public PasswordRedisClusterFixture()
        : base(_ => new ClusterSecurity(["--requirepass", Password, "--masterauth", Password], ["-a", Password, "--no-auth-warning"], string.Empty))
    {
    }
}

/// <summary>
/// A TLS-only 3-master Redis Cluster (no plain port) whose certificates come from a private CA the
/// fixture makes with openssl, name the host "osipy-test-node" (not 127.0.0.1), and which requires
/// client certificates: a client needs the CA file, the host name and a certificate to connect.
/// </summary>
public sealed class TlsRedisClusterFixture : RedisClusterFixture
{
    public const string HostName = "osipy-test-node";

    public TlsRedisClusterFixture()
        : base(MakeCertificates)
    {
    }

    /// <summary>A file the fixture made: ca.crt, client.crt, client.key.</summary>
    public string FileNamed(string name) => Path.Combine(Root, name);

    private static ClusterSecurity MakeCertificates(string root)
    {
        if (Command.Run("openssl", "version").ExitCode != 0)
        {
            throw new InvalidOperationException("openssl is not installed");
        }

        string Of(string name) => Path.Combine(root, name);
        Run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Of("ca.key"), "-out", Of("ca.crt"), "-days", "2", "-subj", "/CN=osipy test CA");
        File.WriteAllText(Of("server.ext"), $"subjectAltName=DNS:{HostName}\nextendedKeyUsage=serverAuth,clientAuth\n");
        File.WriteAllText(Of("client.ext"), "extendedKeyUsage=clientAuth\n");
        foreach ((string name, string subject, string ext) in new[] { ("server", "/CN=" + HostName, "server.ext"), ("client", "/CN=osipy test client", "client.ext") })
        {
            Run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", Of(name + ".key"), "-out", Of(name + ".csr"), "-subj", subject);
            Run("x509", "-req", "-in", Of(name + ".csr"), "-CA", Of("ca.crt"), "-CAkey", Of("ca.key"), "-CAcreateserial", "-out", Of(name + ".crt"), "-days", "2", "-extfile", Of(ext));
        }

        return new ClusterSecurity(
            ["--tls-cluster", "yes", "--tls-replication", "yes", "--tls-cert-file", Of("server.crt"), "--tls-key-file", Of("server.key"),
             "--tls-ca-cert-file", Of("ca.crt"), "--tls-auth-clients", "yes"],
            ["--tls", "--cacert", Of("ca.crt"), "--cert", Of("client.crt"), "--key", Of("client.key"), "--sni", HostName],
            string.Empty);

        static void Run(params string[] args)
        {
            (int exit, string output) = Command.Run("openssl", args);
            if (exit != 0)
            {
                throw new InvalidOperationException($"openssl {args[0]} failed: {output}");
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PasswordRedisClusterCollection : ICollectionFixture<PasswordRedisClusterFixture>
{
    public const string Name = "password redis cluster";
}

[CollectionDefinition(Name)]
public sealed class TlsRedisClusterCollection : ICollectionFixture<TlsRedisClusterFixture>
{
    public const string Name = "tls redis cluster";
}
