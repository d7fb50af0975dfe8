// These tests drive the host like a terminal on Linux does: POSIX signals and file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
