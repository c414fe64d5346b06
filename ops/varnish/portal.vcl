vcl 4.1;
# Front cache for the portal (Varnish 7, Debian package `varnish`).
#
# A template: ops/services (and the integration tests) write the backend address in place
# of @BACKEND_HOST@ / @BACKEND_PORT@ (gunicorn, 127.0.0.1:8000 by default).
#
# Caches anonymous GET/HEAD of public pages (home, policies, guides, services, feeds,
# sitemap, static files; search results for 30 s). Never caches a request that carries a
# session or message cookie or an Authorization header, anything under /my/, /admin/,
# /api/, /evcs/, /account/, /documents/ or /progress/ (rate-limited case lookups), nor a response that sets a cookie or says
# private / no-store / no-cache. PURGE is accepted from 127.0.0.1 only: it drops the path
# with every query string (/policies/ also drops /policies/?page=2), so publishing in
# Wagtail is visible at once (wagtail.contrib.frontend_cache, cms/invalidation.py).

backend portal {
    .host = "@BACKEND_HOST@";
    .port = "@BACKEND_PORT@";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "PURGE not allowed"));
        }
        # Path without query string, regular-expression characters escaped.
        set req.http.x-purge-path = regsuball(regsub(req.url, "\?.*$", ""), "([.*+?^$()\[\]{}|\\])", "\\\1");
        ban("obj.http.x-url ~ ^" + req.http.x-purge-path + "(\?|$)");
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(my|admin|api|evcs|account|documents|progress|django-admin)(/|\?|$)" || req.url ~ "^/healthz") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        # A visitor with a session (an applicant, an editor) or a pending message
        # always gets a fresh, personal page.
        return (pass);
    }
    # Anonymous: other cookies (CSRF token, analytics) change nothing on public pages, and
    # the portal speaks one language, so neither may split the cache into variants.
    unset req.http.Cookie;
    unset req.http.Accept-Language;
    return (hash);
}

sub vcl_backend_response {
    # Remember the URL on the object so PURGE bans are evaluated by the ban lurker.
    set beresp.http.x-url = bereq.url;
    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-store|no-cache)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    if (beresp.status >= 500) {
        set beresp.uncacheable = true;
        set beresp.ttl = 1s;
        return (deliver);
    }
    if (bereq.url ~ "^/static/") {
        set beresp.ttl = 1d;
    } elsif (bereq.url ~ "^/search/") {
        set beresp.ttl = 30s;
    } elsif (beresp.status == 404) {
        set beresp.ttl = 60s;
    } else {
        # Pages, feeds, sitemap, services: purged on publish, so they may live long.
        set beresp.ttl = 1h;
    }
    set beresp.grace = 1h;
    # Every anonymous visitor gets the same page: cookies play no part in the variant.
    if (beresp.http.Vary) {
        set beresp.http.Vary = regsuball(beresp.http.Vary, "(?i)(^|,)\s*Cookie\s*(?=,|$)", "");
        set beresp.http.Vary = regsub(beresp.http.Vary, "^\s*,\s*", "");
        if (beresp.http.Vary ~ "^\s*,?\s*$") {
            unset beresp.http.Vary;
        }
    }
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    return (deliver);
}
