import { create } from 'zustand';
import { screens } from './screens';

interface NavigationStore {
  current: string;
  go: (id: string) => void;
}

export const useNavigation = create<NavigationStore>((set) => ({
  current: screens[0]!.id,
  go: (id) => set({ current: id }),
}));

export const selectCurrent = (s: NavigationStore) => s.current;
export const selectGo = (s: NavigationStore) => s.go;
