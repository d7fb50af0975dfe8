global using Gateway.Apis;
global using Gateway.Extensions;
global using Storage.Governance;
global using Storage.Governance.Keys;
