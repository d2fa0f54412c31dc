// 网点达标: "全部标为合格" marks every item met that has no answer yet, so only the exceptions are left to tap.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-ins-all-met]");
  if (!button) return;
  const form = button.closest("form");
  const groups = new Set([...form.querySelectorAll('input[type=radio][name^="r-"]')].map((r) => r.name));
  for (const name of groups) {
    if (!form.querySelector(`input[name="${name}"]:checked`)) {
      const met = form.querySelector(`input[name="${name}"][value="met"]`);
      if (met) met.checked = true;
    }
  }
});
