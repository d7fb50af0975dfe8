global using TraceUi.Extensions;
