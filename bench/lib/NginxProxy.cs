using System.Globalization;
using TestInfrastructure;

/// <summary>
/// nginx (Debian's) as a plain reverse proxy: one server per upstream, keep-alive to it, no buffering, no access log —
/// the proxy hop the gateway benchmarks measure the gateway against.
/// </summary>
internal static class NginxProxy
{
    /// <summary>Writes the configuration into <paramref name="directory"/>, starts nginx and returns once every server listens; its ports follow the upstreams' order.</summary>
    public static async Task<(ExternalProcess Process, int[] Ports)> StartAsync(string directory, IReadOnlyList<string> upstreamAuthorities)
    {
        var ports = upstreamAuthorities.Select(_ => FreeTcpPort.Next()).ToArray();
        var servers = string.Concat(upstreamAuthorities.Select((upstream, i) => string.Create(CultureInfo.InvariantCulture, $$"""
              upstream llm{{i}} { server {{upstream}}; keepalive 256; }
              server {
                listen 127.0.0.1:{{ports[i]}};
                location / {
                  proxy_pass http://llm{{i}};
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_buffering off;
                }
              }

            """)));
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            worker_processes {{Environment.ProcessorCount}};
            pid {{directory}}/nginx.pid;
            daemon off;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
            {{servers}}}
            """));
        var process = ExternalProcess.Start("nginx", ["-p", directory, "-c", config, "-e", Path.Combine(directory, "error.log")]);
        foreach (var port in ports)
        {
            await ListeningProcess.WaitAsync(process, port, "nginx");
        }

        return (process, ports);
    }
}
