global using Gateway.Apis;
global using Gateway.Extensions;
