using System.Globalization;

namespace TestInfrastructure;

/// <summary>
/// A real S3-compatible server (npm s3rver: path-style URLs, SigV4 verified) in a temporary directory on a free
/// loopback port, started once per test assembly and stopped by its own process id. Stop and start it to
/// simulate an outage; the port and the data stay.
/// </summary>
public sealed class S3Server : LoopbackServer
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Configuration for the blob seam pointing at this server, with a bucket of the caller's choosing.</summary>
    public Dictionary<string, string?> Settings(string bucket) => new()
    {
        ["S3:ServiceUrl"] = ServiceUrl,
        ["S3:Bucket"] = bucket,
        ["S3:AccessKey"] = AccessKey,
        ["S3:SecretKey"] = SecretKey,
        ["S3:ForcePathStyle"] = "true",
    };

    protected override Task<ExternalProcess> StartProcessAsync() =>
        ExternalProcess.StartServerAsync(
            NpmTools.Node,
            [NpmTools.PackageFile("s3rver", Path.Combine("bin", "s3rver.js")), "--directory", DataDirectory, "--address", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--silent"],
            () => FreeTcpPort.AcceptsConnectionsAsync(Port),
            TimeSpan.FromSeconds(30));
}
