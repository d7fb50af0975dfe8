global using Gateway.Extensions;
