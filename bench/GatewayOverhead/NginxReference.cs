using System.Globalization;
using TestInfrastructure;

/// <summary>
/// nginx as a plain reverse proxy in front of the same upstreams, one port per upstream: the latency a proxy hop in C
/// adds on this machine, which the gateway's rows are read against (what no proxy can avoid here, such as waking a
/// process and a core for each hop, shows in both).
/// </summary>
internal static class NginxReference
{
    /// <summary>Starts nginx with a server for each upstream; returns its process and the chat URL of each server, in the upstreams' order.</summary>
    public static async Task<(ExternalProcess Process, TemporaryDirectory Scratch, Uri[] Endpoints)> StartAsync(IReadOnlyList<Uri> upstreams)
    {
        var scratch = new TemporaryDirectory("nginx-bench-");
        var ports = upstreams.Select(_ => FreeTcpPort.Next()).ToArray();
        var servers = string.Concat(upstreams.Select((upstream, i) => string.Create(CultureInfo.InvariantCulture, $$"""
              upstream llm{{i}} { server {{upstream.Authority}}; keepalive 256; }
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
        var config = scratch.Combine("nginx.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            worker_processes {{Environment.ProcessorCount}};
            pid {{scratch.Path}}/nginx.pid;
            daemon off;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{scratch.Path}}/body;
              proxy_temp_path {{scratch.Path}}/proxy;
              fastcgi_temp_path {{scratch.Path}}/fastcgi;
              uwsgi_temp_path {{scratch.Path}}/uwsgi;
              scgi_temp_path {{scratch.Path}}/scgi;
            {{servers}}}
            """));
        var process = ExternalProcess.Start("nginx", ["-p", scratch.Path, "-c", config, "-e", scratch.Combine("error.log")]);
        foreach (var port in ports)
        {
            await ListeningProcess.WaitAsync(process, port, "nginx");
        }

        return (process, scratch, ports.Select(p => new Uri($"http://127.0.0.1:{p}/v1/chat/completions")).ToArray());
    }
}
