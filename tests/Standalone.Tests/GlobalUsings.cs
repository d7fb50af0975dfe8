global using Standalone;
