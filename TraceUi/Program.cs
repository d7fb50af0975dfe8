var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddTraceUi();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTraceUi();
app.Run();
