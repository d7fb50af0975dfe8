global using TraceUi.Extensions;
global using TraceIngest.Extensions;
global using Gateway.Extensions;
