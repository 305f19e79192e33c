import { useEffect } from 'react';
import type { SettingValues } from '../../../contract';

/** "system" leaves the choice to prefers-color-scheme; light and dark pin it. */
export function useTheme(theme: SettingValues['appearance.theme']): void {
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
}
