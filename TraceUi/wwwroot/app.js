// The only script of the UI: "Copy as JSON" buttons fetch their JSON and put it on the clipboard.
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-copy-url]');
  if (!button) return;
  const label = button.textContent;
  try {
    const response = await fetch(button.dataset.copyUrl, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await navigator.clipboard.writeText(await response.text());
    button.textContent = 'Copied';
  } catch (error) {
    button.textContent = 'Copy failed';
  }
  setTimeout(() => { button.textContent = label; }, 1500);
});
