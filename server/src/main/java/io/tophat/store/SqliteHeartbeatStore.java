package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded engine: two SQLite files in WAL mode. Every batch is committed to the <em>inbox</em> file, an
 * append-only table without indexes, so a commit writes a few sequential pages and the writer keeps up with
 * the network ({@link SqliteInboxWriter}). A {@link SqliteMerger} thread moves the inbox into the <em>history</em>
 * file (every heartbeat, indexed by (producer, time); the latest per producer; idempotence on (producer, seq)) in
 * large batches sorted by producer, which touch each index page once per batch instead of once per row
 * ({@link SqliteInboxMerge}). The ingest writer, the only connection that writes the inbox, deletes merged rows a
 * chunk at a time inside its own transactions, and the merger checkpoints the inbox's WAL, so the writer neither
 * waits for a lock nor copies pages at commit. Reads look at the inbox first, then the history, so nothing
 * acknowledged is ever invisible ({@link SqliteReads}); the {@link InboxIndex} in memory ties the three together.
 * This class opens the files and wires the parts. Schemas in {@code db/heartbeats/sqlite} and
 * {@code db/heartbeats/sqlite-inbox} (Flyway).
 */
public final class SqliteHeartbeatStore implements HeartbeatStore {

    private static final Logger log = LoggerFactory.getLogger(SqliteHeartbeatStore.class);
    private static final String SELECT_INFO = "SELECT identity, merged_through, secret FROM store_info WHERE id = 1";
    private static final String PROBE = "INSERT OR REPLACE INTO write_probe (id, probed_at, padding) "
            + "VALUES (1, ?, randomblob(65536))";
    /** Below this much free space on the inbox's filesystem the store does not count as writable again. */
    static final long MIN_FREE_BYTES = 16L * 1024 * 1024;
    private static final String ATTACH_INBOX = "ATTACH DATABASE ? AS ib";

    private final Path file;
    private final Connection inboxConnection;
    private final Connection mergeConnection;
    private final SqliteReadPool readers;
    private final String identity;
    private final String secret;
    private final Path inboxFile;
    private final SqliteConnections inboxDatabase;
    private final SqliteFailures inboxFailures;
    private final InboxIndex index;
    private final SqliteInboxWriter writer;
    private final SqliteInboxMerge merge;
    private final SqliteReads reads;
    private final SqliteMerger mergerThread;

    private SqliteHeartbeatStore(Path file, Path inboxFile, SqliteFailures failures, SqliteConnections inboxDatabase,
                                 Connection inboxConnection, Connection mergeConnection, SqliteReadPool readers,
                                 String identity, String secret, InboxIndex index) {
        this.file = file;
        this.inboxFile = inboxFile;
        this.inboxDatabase = inboxDatabase;
        this.inboxFailures = new SqliteFailures(inboxFile);
        this.secret = secret;
        this.inboxConnection = inboxConnection;
        this.mergeConnection = mergeConnection;
        this.readers = readers;
        this.identity = identity;
        this.index = index;
        AtomicBoolean walCopied = new AtomicBoolean();
        this.writer = new SqliteInboxWriter(inboxConnection, inboxFile, failures, index, walCopied);
        this.merge = new SqliteInboxMerge(mergeConnection, failures, index, walCopied);
        this.reads = new SqliteReads(readers, index);
        this.mergerThread = new SqliteMerger(this);
    }

    /**
     * Opens the store in {@code config.file()} (the history) and its sibling {@code *-inbox.db}: creates the
     * files and their folders when missing, brings both schemas up to date, opens the connections and starts
     * the merger, which first finishes what a previous process left in the inbox.
     *
     * @throws StoreException naming the file and what to fix when it cannot be used
     */
    public static SqliteHeartbeatStore open(SqliteStoreConfig config) {
        Path file = config.file().toAbsolutePath().normalize();
        Path inboxFile = inboxFileOf(file);
        SqliteFailures failures = new SqliteFailures(file);
        SqliteConnections history = new SqliteConnections(file, SqliteConnections.HISTORY, config.synchronous(), failures);
        SqliteConnections inbox = new SqliteConnections(inboxFile, SqliteConnections.INBOX, config.synchronous(),
                new SqliteFailures(inboxFile));
        history.prepareFolder();
        List<Connection> opened = new ArrayList<>();
        try {
            Connection merger = history.openWriter();
            opened.add(merger);
            history.migrate();
            Connection inboxWriter = inbox.openWriter();
            opened.add(inboxWriter);
            inbox.migrate();
            attachInbox(merger, inboxFile);
            List<Connection> readConnections = new ArrayList<>();
            for (int i = 0; i < config.readConnections(); i++) {
                Connection reader = history.openReader();
                opened.add(reader);
                attachInbox(reader, inboxFile);
                readConnections.add(reader);
            }
            SqliteReadPool readers = new SqliteReadPool(readConnections, SqliteConnections.BUSY_TIMEOUT, failures);
            SqliteHeartbeatStore store;
            try (PreparedStatement st = merger.prepareStatement(SELECT_INFO); ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("store_info has no row; the schema was changed by hand");
                }
                store = new SqliteHeartbeatStore(file, inboxFile, failures, inbox, inboxWriter, merger, readers,
                        rs.getString(1), rs.getString(3), new InboxIndex(rs.getLong(2)));
            }
            store.writer.recover();
            store.mergerThread.start();
            log.info("Opened heartbeat store {} (identity {}, synchronous {}, {} read connections, {} heartbeats "
                    + "waiting in the inbox)", file, store.identity, config.synchronous(), config.readConnections(),
                    store.backlog());
            return store;
        } catch (SQLException e) {
            opened.forEach(SqliteConnections::closeQuietly);
            throw failures.translate("open the heartbeat store", e);
        } catch (RuntimeException e) {
            opened.forEach(SqliteConnections::closeQuietly);
            throw e;
        }
    }

    /** {@code heartbeats.db} keeps its inbox in {@code heartbeats-inbox.db} beside it. */
    static Path inboxFileOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return file.resolveSibling(base + "-inbox" + (dot > 0 ? name.substring(dot) : ".db"));
    }

    private static void attachInbox(Connection connection, Path inboxFile) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(ATTACH_INBOX)) {
            st.setString(1, inboxFile.toString());
            st.execute();
        }
    }

    @Override
    public long append(List<Heartbeat> batch) {
        return batch.isEmpty() ? 0 : writer.append(batch);
    }

    /** The inbox id of the last row appended: inbox ids are the commit keys. */
    @Override
    public long lastKey() {
        return index.lastAppended();
    }

    @Override
    public List<StoredHeartbeat> committedAfter(long afterKey, Set<String> producers, int limit) {
        return reads.committedAfter(afterKey, producers, limit);
    }

    /** Heartbeats committed to the inbox and not yet merged into the history. */
    @Override
    public long backlog() {
        return index.backlog();
    }

    /**
     * Moves up to {@code maxRows} of the oldest unmerged inbox rows into the history in one transaction, then
     * checkpoints the inbox's WAL. Returns how many inbox ids were merged. Called by the merger thread.
     */
    long mergeNext(int maxRows) {
        return merge.mergeNext(maxRows);
    }

    @Override
    public Optional<Heartbeat> latest(String producer) {
        return reads.latest(producer);
    }

    @Override
    public Optional<Heartbeat> latestAtLabel(String label) {
        return reads.latestAtLabel(label);
    }

    @Override
    public List<StoredHeartbeat> history(HistoryQuery query) {
        return reads.history(query);
    }

    @Override
    public List<ProducerSeen> producers(String afterId, long seenSince, int limit) {
        return reads.producers(afterId, seenSince, limit);
    }

    @Override
    public void eachLatestPosition(PositionSink sink) {
        reads.eachLatestPosition(sink);
    }

    @Override
    public Set<Long> storedSeqs(String producer, Collection<Long> seqs) {
        return reads.storedSeqs(producer, seqs);
    }

    @Override
    public long erase(String producer) {
        return merge.erase(producer);
    }

    /** The first batch of a run merges the inbox first, so that unmerged old heartbeats go in the same run. */
    @Override
    public long expire(long cutoffMillis, int maxRows, boolean latestToo) {
        if (latestToo) {
            while (backlog() > 0 && mergeNext(SqliteMerger.MAX_ROWS) > 0) {
                // every heartbeat acknowledged before this run is in the history now
            }
        }
        return merge.expire(cutoffMillis, maxRows, latestToo);
    }

    @Override
    public long historySize() {
        return reads.historySize();
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public String identityProof() {
        return secret;
    }

    /** A SQLite file belongs to one worker. */
    @Override
    public boolean shared() {
        return false;
    }

    /**
     * Enough free space on the inbox's filesystem ({@value #MIN_FREE_BYTES} bytes), and a committed rewrite of a
     * padded probe row through a connection of its own (the ingest writer's stays with the writer thread).
     */
    @Override
    public void checkWritable() {
        try {
            long free = Files.getFileStore(inboxFile).getUsableSpace();
            if (free < MIN_FREE_BYTES) {
                throw new StoreException("only " + free / (1024 * 1024) + " MiB are free beside " + inboxFile
                        + "; the store counts as writable again from " + MIN_FREE_BYTES / (1024 * 1024) + " MiB",
                        "the disk is full", null);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the free space beside " + inboxFile + ": " + e.getMessage(), e);
        }
        try (Connection probe = inboxDatabase.openWriter(); PreparedStatement st = probe.prepareStatement(PROBE)) {
            probe.setAutoCommit(false);
            st.setLong(1, System.currentTimeMillis());
            st.executeUpdate();
            probe.commit();
        } catch (SQLException e) {
            throw inboxFailures.translate("write a probe row to", e);
        }
    }

    @Override
    public String description() {
        return file.toString();
    }

    /** The absolute path of the history file. */
    public Path file() {
        return file;
    }

    /**
     * Stops the merger after it has merged everything in the inbox, waits for a batch being written and for lent
     * read connections, then closes every connection.
     */
    @Override
    public void close() {
        if (!writer.close()) {
            return;
        }
        mergerThread.close();
        readers.close();
        SqliteConnections.closeQuietly(inboxConnection);
        SqliteConnections.closeQuietly(mergeConnection);
        log.info("Closed heartbeat store {}", file);
    }
}
