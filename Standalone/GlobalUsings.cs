global using Gateway.Extensions;
global using Standalone;
global using TraceIngest.Extensions;
global using TraceUi.Extensions;
