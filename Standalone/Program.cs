var builder = WebApplication.CreateBuilder(args);
builder.AddStandaloneDefaults();
builder.AddServiceDefaults();
builder.AddGateway();
builder.AddTraceIngest();
builder.AddTraceUi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGatewayApi();
app.MapTraceIngestApi();
app.MapTraceUi();
app.Run();
