using System.Globalization;
using FakeLlmUpstream;

// Answers OpenAI chat completions (JSON or SSE) from bytes built once at start, so a load test measures the
// proxies in front of it, not this server. It also takes Langfuse ingestion batches and drops them, so a gateway
// can emit its traces here and the cost measured is the emitting, not someone else's ingestion.
var options = UpstreamOptions.Parse(args);
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{options.Port}"));
var app = builder.Build();
var responder = new ChatResponder(options);
app.Run(responder.AnswerAsync);
app.Run();
