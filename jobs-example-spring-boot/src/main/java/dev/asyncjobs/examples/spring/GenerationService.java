package dev.asyncjobs.examples.spring;

import dev.asyncjobs.Job;
import dev.asyncjobs.JobManager;
import dev.asyncjobs.JobRequest;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.server.ResponseStatusException;

/**
 * Records a generation request and creates its job in one transaction. With PostgreSQL the job
 * joins the transaction of this method (the starter's EnclosingTransaction): the request row and
 * the job commit together, or, when the method throws, neither exists and no worker ever sees the
 * job. Without a database there is no row and no transaction, and the job is created on its own.
 */
@Service
public class GenerationService {
  private final JobManager jobs;
  private final Optional<JdbcTemplate> db;

  /**
   * The service.
   *
   * @param jobs the starter's manager
   * @param db the database, with the postgres profile
   */
  public GenerationService(JobManager jobs, Optional<JdbcTemplate> db) {
    this.jobs = jobs;
    this.db = db;
  }

  /**
   * Records the request and creates its job.
   *
   * @param user who asks
   * @param palette what to generate
   * @param failAfterCreate a demonstration switch: throw after the create, which rolls both back
   * @return the new job, PENDING
   */
  @Transactional
  public Job generate(String user, PaletteGenerator.Palette palette, boolean failAfterCreate) {
    db.ifPresent(d -> d.update("INSERT INTO generation_requests (user_id, prompt) VALUES (?, ?)", user, palette.prompt()));
    Job job = jobs.create(JobRequest.of(user, PaletteGenerator.TYPE, palette));
    if (failAfterCreate) {
      throw new ResponseStatusException(HttpStatus.UNPROCESSABLE_ENTITY,
          "failed after the create, as asked: the request and job " + job.id() + " are rolled back");
    }
    return job;
  }
}
