package dev.asyncjobs.store.postgres.internal;

import dev.asyncjobs.JobEvent;
import dev.asyncjobs.JobEventListener;
import dev.asyncjobs.JobStoreException;
import dev.asyncjobs.Subscription;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one listening connection: a thread that LISTENs on the store's channel, turns each
 * notification into a {@link JobEvent} for every subscriber, and, when the connection breaks,
 * reconnects by itself with exponential backoff. Started by the first subscription, so that a
 * store that only writes holds no extra connection.
 *
 * <p>Events are delivered on this thread in the order PostgreSQL delivers them (commit order).
 * Changes committed while the connection is down are not replayed: workers poll as a fallback.
 */
public final class NotificationListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
  /** How long one wait for notifications lasts; also how often the closed flag is seen. */
  private static final int POLL_MILLIS = 500;
  /** After this much silence the connection is checked with a query (a dead peer sends nothing). */
  private static final long HEALTH_CHECK_NANOS = TimeUnit.SECONDS.toNanos(15);

  private final ListenerConnector connector;
  private final String channel;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration firstConnectWait;
  private final List<JobEventListener> listeners = new CopyOnWriteArrayList<>();
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
   * @param firstConnectWait how long the first subscription waits for LISTEN
   */
  public NotificationListener(
      ListenerConnector connector, String channel, Duration initialBackoff, Duration maxBackoff, Duration firstConnectWait) {
    this.connector = connector;
    this.channel = channel;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.firstConnectWait = firstConnectWait;
  }

  /**
   * Adds a listener. The first call starts the thread and waits (up to the first-connect wait) until
   * it is listening, so that every change committed after this returns is delivered.
   */
  public Subscription subscribe(JobEventListener listener) {
    if (closed) {
      throw new JobStoreException("the PostgreSQL job store is closed: no new subscriptions", null, null);
    }
    listeners.add(listener);
    startOnce();
    awaitListening();
    return () -> listeners.remove(listener);
  }

  private synchronized void startOnce() {
    if (thread == null && !closed) {
      Thread t = new Thread(this::run, "asyncjobs-pg-listener-" + channel);
      t.setDaemon(true);
      t.start();
      thread = t;
    }
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
        for (PGNotification n : notifications) {
          dispatch(n.getParameter());
        }
      } else if (System.nanoTime() - lastHeard > HEALTH_CHECK_NANOS) {
        try (Statement s = c.createStatement()) {
          s.execute("SELECT 1");
        }
        lastHeard = System.nanoTime();
      }
    }
  }

  private void dispatch(String payload) {
    List<JobEvent> events;
    try {
      events = EventPayloads.parseAll(payload);
    } catch (RuntimeException e) {
      LOG.warn("ignoring a notification on {} that is not a job event: {}", channel, e.getMessage());
      return;
    }
    for (JobEvent event : events) {
      for (JobEventListener l : listeners) {
        try {
          l.onEvent(event);
        } catch (RuntimeException e) {
          LOG.warn("job event listener threw on {} of job {}; continuing", event.kind(), event.jobId(), e);
        }
      }
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
    listeners.clear();
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
