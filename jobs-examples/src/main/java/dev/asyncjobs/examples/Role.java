package dev.asyncjobs.examples;

/** Which parts of the example a process runs. */
public enum Role {
  /** The HTTP API and a worker in one process (the default). */
  ALL,
  /** Only the HTTP API ({@code --api-only}); workers run elsewhere on the same database. */
  API,
  /** Only a worker ({@code --worker-only}); the API runs elsewhere on the same database. */
  WORKER;

  /** Whether this process serves HTTP. */
  public boolean servesApi() {
    return this != WORKER;
  }

  /** Whether this process runs jobs. */
  public boolean runsJobs() {
    return this != API;
  }
}
