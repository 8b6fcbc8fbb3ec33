package io.tophat.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the workers' SQLite files hold after their processes ended, read with plain JDBC: per file, producer
 * to the sequence numbers stored.
 */
final class StoreAudit {
    private final Map<Path, Map<String, Set<Long>>> stored = new HashMap<>();

    private StoreAudit() {
    }

    /** Reads the files (those that exist); the worker processes must have ended. */
    static StoreAudit read(List<Path> files) throws SQLException {
        StoreAudit audit = new StoreAudit();
        for (Path file : files) {
            if (Files.exists(file)) {
                audit.stored.put(file, readOne(file));
            }
        }
        return audit;
    }

    private static Map<String, Set<Long>> readOne(Path file) throws SQLException {
        Map<String, Set<Long>> seqs = new HashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             PreparedStatement st = c.prepareStatement("SELECT producer, seq FROM heartbeats WHERE seq IS NOT NULL");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                seqs.computeIfAbsent(rs.getString(1), p -> new HashSet<>()).add(rs.getLong(2));
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
