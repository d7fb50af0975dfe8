global using TraceIngest.Apis;
global using TraceIngest.Extensions;
