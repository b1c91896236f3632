using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Relucent.Cluster.Tests
{
    /// <summary>
    /// Grain storage in this process's memory, shared by the silos of one test (each test makes its own store): unlike
    /// Orleans' memory storage, which keeps state in grains of some silo, it outlives any silo, as Redis does for a real
    /// cluster. State is serialised on write and deserialised on read, and ETags are checked, as a real store does.
    /// </summary>
    internal sealed class SharedMemoryGrainStorage(ConcurrentDictionary<string, (byte[] Bytes, string ETag)> store, Serializer serializer) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (store.TryGetValue(Key(stateName, grainId), out var stored))
            {
                grainState.State = serializer.Deserialize<T>(stored.Bytes);
                grainState.ETag = stored.ETag;
                grainState.RecordExists = true;
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            string key = Key(stateName, grainId);
            string etag = Guid.NewGuid().ToString("N");
            byte[] bytes = serializer.SerializeToArray(grainState.State);
            bool written = grainState.ETag is null
                ? store.TryAdd(key, (bytes, etag))
                : store.TryGetValue(key, out var old) && old.ETag == grainState.ETag && store.TryUpdate(key, (bytes, etag), old);
            if (!written) throw new InconsistentStateException($"{key}: the stored state changed since it was read.");
            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            store.TryRemove(Key(stateName, grainId), out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }

        private static string Key(string stateName, GrainId grainId) => stateName + "/" + grainId;
    }
}
