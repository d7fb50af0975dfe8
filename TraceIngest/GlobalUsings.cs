global using TraceIngest.Apis;
global using TraceIngest.Extensions;
global using Storage.TraceStore.Queries;
global using Storage.TraceStore.Rows;
