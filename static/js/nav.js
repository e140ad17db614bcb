// The main menu works without JavaScript (<details> submenus). With it, a menu behaves as
// people expect from one: opening a group closes the other, Escape closes it and returns
// focus to its button, and a click or focus elsewhere closes it.
// A file, not an inline handler: the CSP allows scripts from 'self' only.
(function () {
  var nav = document.querySelector(".main-nav");
  if (!nav) {
    return;
  }
  var menu = nav.querySelector("details.nav-menu");
  var groups = Array.prototype.slice.call(nav.querySelectorAll("details.nav-group"));

  function closeGroups(except) {
    groups.forEach(function (group) {
      if (group !== except && group.open) {
        group.open = false;
      }
    });
  }

  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open) {
        closeGroups(group);
      }
    });
    group.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !group.contains(event.relatedTarget)) {
        group.open = false;
      }
    });
  });

  nav.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = groups.filter(function (group) {
      return group.open && group.contains(event.target);
    })[0];
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    } else if (menu && menu.open && getComputedStyle(menu.querySelector("summary")).display !== "none") {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (!nav.contains(event.target)) {
      closeGroups(null);
    }
  });
})();
