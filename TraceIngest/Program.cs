var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTraceIngest();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTraceIngestApi();
app.Run();
