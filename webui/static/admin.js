// Live view of a running job: polls its JSON until it ends.
(function () {
  "use strict";
  var main = document.querySelector("[data-job-url]");
  if (!main) return;
  var url = main.dataset.jobUrl;

  function show(job) {
    var state = document.getElementById("job-state");
    state.textContent = job.state;
    state.className = "state-" + job.state;
    var percent = job.progress && job.progress.percent;
    var bar = document.getElementById("job-progress");
    if (percent !== undefined) {
      bar.value = percent;
      document.getElementById("job-percent").textContent = percent + "%";
    }
    var figures = [];
    Object.keys(job.progress || {}).forEach(function (k) {
      if (k !== "percent") figures.push(k + ": " + job.progress[k]);
    });
    document.getElementById("job-figures").textContent = figures.join("  ");
    document.getElementById("job-log").textContent = (job.log || []).join("\n");
    var error = document.getElementById("job-error");
    error.textContent = job.error || "";
    error.hidden = !job.error;
    return job.state === "queued" || job.state === "running";
  }

  // The session has ended (logged out, or the token changed): asking again cannot succeed.
  function endedSession() {
    var error = document.getElementById("job-error");
    error.textContent = "Your admin session has ended; log in again on the admin page to follow this job.";
    error.hidden = false;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) { if (show(job)) setTimeout(poll, 1000); })
      .catch(function (status) {
        if (status === 401) endedSession();
        else setTimeout(poll, 3000);
      });
  }
  poll();
})();
