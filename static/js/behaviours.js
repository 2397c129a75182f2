/* Small behaviours the templates ask for with data- attributes, instead of
   inline handlers (onclick=…), which the Content-Security-Policy refuses.
   Listening on the document also covers what htmx swaps in later.
     <select data-autosubmit>        sends its form when the choice changes
     <button data-print>             prints the page
     <form data-confirm="Sure?">     asks before it is sent */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
