package dev.asyncjobs.bench.internal;

import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;

/**
 * pg-peers' no-op job for JobRunr. Public, with public members: JobRunr reads the request back from
 * its JSON and invokes the handler's {@code run} by reflection, without making it accessible.
 */
public final class JobRunrNoop {
  private JobRunrNoop() {}

  /** The job's argument: its sequence number, the only field of its JSON. */
  public static final class Request implements JobRequest {
    private static final long serialVersionUID = 1L;
    private int seq;

    /** For Jackson, which JobRunr uses to read the request back. */
    public Request() {}

    Request(int seq) {
      this.seq = seq;
    }

    /** The sequence number. */
    public int seq() {
      return seq;
    }

    @Override
    public Class<Handler> getJobRequestHandler() {
      return Handler.class;
    }
  }

  /** Tells the probe the job started, and returns; handed to JobRunr by the bench's JobActivator. */
  public static final class Handler implements JobRequestHandler<Request> {
    private final StartProbe probe;

    Handler(StartProbe probe) {
      this.probe = probe;
    }

    @Override
    public void run(Request request) {
      probe.started(request.seq());
    }
  }
}
