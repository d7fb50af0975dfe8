global using TraceIngest.Extensions;
