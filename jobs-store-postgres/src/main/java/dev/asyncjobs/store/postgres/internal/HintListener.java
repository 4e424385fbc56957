package dev.asyncjobs.store.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one listening connection: a thread that LISTENs on the store's channel and, for every
 * notification that arrives, tells the event log reader to look at the log now. What a
 * notification carries is never acted on: any role may send one on any channel, so it can at most
 * cause an extra look (a payload only tells a hint sent at a caller's commit from this store's own). When the connection breaks the thread reconnects by itself with exponential
 * backoff, and looks once more after every (re)connect, since hints sent meanwhile were lost (the
 * events were not: they are in the log). Started by the first subscription, so that a store that
 * only writes holds no extra connection.
 */
public final class HintListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HintListener.class);
  /** How long one wait for notifications lasts; also how often the closed flag is seen. */
  private static final int POLL_MILLIS = 500;
  /** After this much silence the connection is checked with a query (a dead peer sends nothing). */
  private static final long HEALTH_CHECK_NANOS = TimeUnit.SECONDS.toNanos(15);

  private final ListenerConnector connector;
  private final String channel;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration firstConnectWait;
  private final java.util.function.Consumer<Boolean> onHint;
  private final java.util.function.BiPredicate<Integer, String> ownHint;
  private final CountDownLatch firstListen = new CountDownLatch(1);
  private @Nullable Thread thread;
  private volatile @Nullable Connection connection;
  private volatile boolean closed;

  /**
   * A listener, not yet started.
   *
   * @param connector opens the listening connection
   * @param channel the channel the notify trigger sends on
   * @param initialBackoff the first wait after a lost connection, doubled per failure
   * @param maxBackoff the longest wait
   * @param firstConnectWait how long {@link #start()} waits for LISTEN
   * @param onHint what to do when a hint arrives (or may have been missed), told whether work may be
   *     due (false when every hint that arrived says its writes only appended events); called on
   *     this thread
   * @param ownHint whether a notification from this backend id with this payload is this process's
   *     own hint, which needs no look (the write that sent it woke the reader already)
   */
  public HintListener(
      ListenerConnector connector, String channel, Duration initialBackoff, Duration maxBackoff, Duration firstConnectWait,
      java.util.function.Consumer<Boolean> onHint, java.util.function.BiPredicate<Integer, String> ownHint) {
    this.connector = connector;
    this.onHint = onHint;
    this.ownHint = ownHint;
    this.channel = channel;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.firstConnectWait = firstConnectWait;
  }

  /**
   * Starts listening, once; later calls return at once. The first waits (up to the first-connect
   * wait) until LISTEN is in place, so that hints sent after it returns are heard.
   */
  public void start() {
    if (startOnce()) {
      awaitListening();
    }
  }

  private synchronized boolean startOnce() {
    if (thread == null && !closed) {
      Thread t = new Thread(this::run, "asyncjobs-pg-listener-" + channel);
      t.setDaemon(true);
      t.start();
      thread = t;
      return true;
    }
    return false;
  }

  private void awaitListening() {
    try {
      if (!firstListen.await(firstConnectWait.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("not yet listening on {} after {}; events will flow once the database is reachable", channel, firstConnectWait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    long backoffMillis = initialBackoff.toMillis();
    int failures = 0;
    while (!closed) {
      try (Connection c = connector.connect()) {
        connection = c;
        listen(c);
        firstListen.countDown();
        hint(true); // whatever was sent while not listening
        if (failures > 0) {
          LOG.info("listening on {} again after {} failed attempt(s)", channel, failures);
        }
        failures = 0;
        backoffMillis = initialBackoff.toMillis();
        receive(c);
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        // One warning per outage; the retries of the same outage are debug noise.
        if (failures++ == 0) {
          LOG.warn("listening connection on {} failed ({}); reconnecting with backoff up to {} ms",
              channel, e.getMessage(), maxBackoff.toMillis());
        } else {
          LOG.debug("reconnecting the listener on {} failed again ({}); next try in {} ms", channel, e.getMessage(), backoffMillis);
        }
        if (!sleep(backoffMillis)) {
          break;
        }
        backoffMillis = Math.min(maxBackoff.toMillis(), backoffMillis * 2);
      } finally {
        connection = null;
      }
    }
  }

  private void listen(Connection c) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
    }
    LOG.debug("listening on {}", channel);
  }

  private void receive(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    long lastHeard = System.nanoTime();
    while (!closed) {
      PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
      if (notifications != null && notifications.length > 0) {
        lastHeard = System.nanoTime();
        // However many arrived: one look at the log, unless they are all this process's own
        // hints; work may be due unless every other one says its writes only appended events.
        boolean heard = false;
        boolean work = false;
        for (PGNotification n : notifications) {
          String payload = java.util.Objects.requireNonNullElse(n.getParameter(), "");
          if (!ownHint.test(n.getPID(), payload)) {
            heard = true;
            work |= !HintSender.EVENTS_PAYLOAD.equals(payload);
          }
        }
        if (heard) {
          hint(work);
        }
      } else if (System.nanoTime() - lastHeard > HEALTH_CHECK_NANOS) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        lastHeard = System.nanoTime();
      }
    }
  }

  private void hint(boolean work) {
    try {
      onHint.accept(work);
    } catch (RuntimeException e) {
      LOG.warn("handling a hint on {} failed; continuing", channel, e);
    }
  }

  private boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return !closed;
    } catch (InterruptedException e) {
      return false;
    }
  }

  /** Whether the listening connection is up right now. */
  public boolean isConnected() {
    return connection != null;
  }

  /** Stops listening, closes the connection and ends the thread. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
      thread = null;
    }
    if (t == null) {
      return;
    }
    t.interrupt();
    Connection c = connection;
    if (c != null) {
      try {
        c.close(); // wakes a thread blocked in getNotifications
      } catch (SQLException e) {
        LOG.debug("closing the listening connection failed", e);
      }
    }
    if (t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
