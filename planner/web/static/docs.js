// Starts Swagger UI from the packaged bundle (the page's CSP allows no inline script);
// "Try it out" requests carry the page's CSRF token like the workspace's own scripts.
window.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("swagger-ui");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  window.ui = SwaggerUIBundle({
    url: el.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    requestInterceptor: function (req) { req.headers["X-CSRF-Token"] = token; return req; },
  });
});
