global using TraceUi.Extensions;
global using TraceIngest.Extensions;
