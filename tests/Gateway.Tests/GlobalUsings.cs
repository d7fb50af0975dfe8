global using Gateway.Extensions;
global using Gateway.Tests;
