package io.tophat.cluster;

import io.tophat.protocol.Heartbeat;
import io.tophat.store.SqliteHeartbeatStore;
import io.tophat.store.SqliteStoreConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the workers' stores hold after their processes ended, read through {@link SqliteHeartbeatStore} (so
 * whatever the engine keeps where, an inbox not yet merged included, is seen): per file, producer to the
 * sequence numbers stored.
 */
final class StoreAudit {
    private final Map<Path, Map<String, Set<Long>>> stored = new HashMap<>();

    private StoreAudit() {
    }

    /** Reads the histories of {@code producers} from the files that exist; the worker processes must have ended. */
    static StoreAudit read(List<Path> files, Collection<String> producers) {
        StoreAudit audit = new StoreAudit();
        for (Path file : files) {
            if (Files.exists(file)) {
                audit.stored.put(file, readOne(file, producers));
            }
        }
        return audit;
    }

    private static Map<String, Set<Long>> readOne(Path file, Collection<String> producers) {
        Map<String, Set<Long>> seqs = new HashMap<>();
        try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(file))) {
            for (String producer : producers) {
                for (Heartbeat hb : store.history(producer, 0, Long.MAX_VALUE, 1_000_000)) {
                    if (hb.seq() != null) {
                        seqs.computeIfAbsent(producer, p -> new HashSet<>()).add(hb.seq());
                    }
                }
            }
        }
        return seqs;
    }

    /** Acknowledged (producer, seq) pairs found in no file, as "producer#seq". */
    List<String> missing(Map<String, Set<Long>> acknowledged) {
        List<String> lost = new ArrayList<>();
        acknowledged.forEach((producer, seqs) -> {
            for (long seq : seqs) {
                boolean found = stored.values().stream().anyMatch(s -> s.getOrDefault(producer, Set.of()).contains(seq));
                if (!found) {
                    lost.add(producer + "#" + seq);
                }
            }
        });
        return lost;
    }

    /** The files holding a heartbeat of {@code producer} with a sequence number above {@code seq}. */
    List<Path> holdingAbove(String producer, long seq) {
        List<Path> files = new ArrayList<>();
        stored.forEach((file, seqs) -> {
            if (seqs.getOrDefault(producer, Set.of()).stream().anyMatch(s -> s > seq)) {
                files.add(file);
            }
        });
        return files;
    }

    long rows() {
        return stored.values().stream().flatMap(m -> m.values().stream()).mapToLong(Set::size).sum();
    }
}
