extension LivePage {
    /// The document head up to the inline style (`{{nonce}}` is filled per response).
    static let head = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <meta name="color-scheme" content="light dark">
        <title>aws-realtime · live</title>
        <link rel="icon" href="data:,">

        """#

    /// The body's static skeleton: one panel per stream, filled by the script. `{{auth}}` is
    /// `required` or `anonymous`.
    static let body = #"""
        <body data-auth="{{auth}}">
        <header class="top">
          <h1>aws-realtime <span class="muted">live</span></h1>
          <p class="where" id="where">account – · region –</p>
          <p class="conn" id="conn" data-state="connecting">connecting</p>
        </header>
        <div class="banner" id="banner" role="alert" aria-live="assertive" data-kind="none" hidden>
          <p class="banner-text" id="banner-text"></p>
          <button type="button" class="retry" id="retry" hidden>Retry now</button>
          <form class="token-form" id="token-form" autocomplete="off" hidden>
            <label for="token-input">Token</label>
            <input id="token-input" name="token" type="password" spellcheck="false" placeholder="a JWT from your operator">
            <button type="submit">Connect</button>
          </form>
        </div>
        <p class="notice" id="notice" role="status" hidden></p>
        <main>
          <section class="overview" aria-label="Streams">
            <ul class="tiles" id="overview"></ul>
          </section>
          <section class="panel panel-wide" id="panel-aws-metrics" data-stream="aws-metrics" data-state="waiting">
            <div class="panel-head"><h2>Metrics</h2>
              <span class="state-badge" data-role="state">waiting</span>
              <span class="updated" data-role="updated"></span>
            </div>
            <p class="source-note" data-role="source" data-source="live" hidden></p>
            <div class="content"></div>
          </section>
          <section class="panel" id="panel-aws-activity" data-stream="aws-activity" data-state="waiting">
            <div class="panel-head"><h2>CloudTrail activity</h2>
              <span class="state-badge" data-role="state">waiting</span>
              <span class="updated" data-role="updated"></span>
            </div>
            <p class="source-note" data-role="source" data-source="live" hidden></p>
            <div class="content"></div>
          </section>
          <section class="panel" id="panel-aws-security" data-stream="aws-security" data-state="waiting">
            <div class="panel-head"><h2>Security Hub findings</h2>
              <span class="state-badge" data-role="state">waiting</span>
              <span class="updated" data-role="updated"></span>
            </div>
            <p class="source-note" data-role="source" data-source="live" hidden></p>
            <div class="content"></div>
          </section>
          <section class="panel" id="panel-aws-costs" data-stream="aws-costs" data-state="waiting">
            <div class="panel-head"><h2>Costs, month to date</h2>
              <span class="state-badge" data-role="state">waiting</span>
              <span class="updated" data-role="updated"></span>
            </div>
            <p class="source-note" data-role="source" data-source="live" hidden></p>
            <div class="content"></div>
          </section>
          <section class="panel" id="panel-aws-health" data-stream="aws-health" data-state="waiting">
            <div class="panel-head"><h2>AWS Health</h2>
              <span class="state-badge" data-role="state">waiting</span>
              <span class="updated" data-role="updated"></span>
            </div>
            <p class="source-note" data-role="source" data-source="live" hidden></p>
            <div class="content"></div>
          </section>
          <section class="panel panel-wide" id="panel-aws-logs" data-stream="aws-logs" data-state="waiting">
            <div class="panel-head"><h2>Recent log lines</h2>
              <span class="state-badge" data-role="state">waiting</span>
              <span class="updated" data-role="updated"></span>
            </div>
            <p class="source-note" data-role="source" data-source="live" hidden></p>
            <div class="content"></div>
          </section>
        </main>
        <footer class="foot">
          Live from <code>/ws</code>. Times are your browser's local time.
        </footer>

        """#
}
