using System.Text.Json;
using System.Text.Unicode;
using TraceIngest.Ingestion;
using TraceIngest.Otlp;

/// <summary>What the OTLP endpoint does with a body between reading it and handing it to the blob store.</summary>
internal static class OtlpBatch
{
    public static long Write(byte[] payload, bool protobuf)
    {
        using var batch = new IngestionBatchWriter("bench", DateTimeOffset.UnixEpoch, payload.Length + 4096);
        var mapper = new OtlpSpanMapper(batch);
        if (protobuf)
        {
            OtlpProtobufReader.Read(payload, mapper.Add);
        }
        else
        {
            if (!Utf8.IsValid(payload))
            {
                throw new InvalidOperationException("not UTF-8");
            }

            using var document = JsonDocument.Parse(payload);
            OtlpJsonReader.Read(document.RootElement, mapper.Add);
        }

        mapper.Complete();
        return batch.Complete().Length;
    }
}
