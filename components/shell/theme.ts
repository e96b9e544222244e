/** The localStorage key that holds an explicit choice; absent means "follow the system". */
export const THEME_STORAGE_KEY = 'certfleet-theme';

/**
 * Runs inline in <head> before first paint, so a dark-mode user never sees a white flash. Kept tiny
 * and dependency-free because it is sent as a string.
 */
export const themeInitScript = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});var d=t==='dark'||(t!=='light'&&window.matchMedia('(prefers-color-scheme: dark)').matches);var e=document.documentElement;e.classList.toggle('dark',d);e.style.colorScheme=d?'dark':'light';}catch(_){}})();`;
